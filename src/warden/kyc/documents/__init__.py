"""Identity documents: the rendered test set, the photo pipeline, reading and checking them."""
