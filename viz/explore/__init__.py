"""The explorer: its background refiner, bookmarks and the window's controls."""
