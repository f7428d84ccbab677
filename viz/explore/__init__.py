"""The explorer: its settings, background refiner, bookmarks and the window's controls."""
