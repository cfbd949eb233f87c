"""Loaders, one module per list format; `load_path` picks the right one for a file or folder."""
