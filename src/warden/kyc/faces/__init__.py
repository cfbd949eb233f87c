"""Faces: detection, 5-point alignment, embedding, 1:1 match and 1:N search (dlib ResNet, CC0 weights)."""
