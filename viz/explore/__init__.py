"""The explorer: its settings, background refiner, bookmarks and the window's controls.

Public face (what the other subpackages import from here):
- bookmarks: SavedView, default_file, find_bookmark, from_png, is_explorer_view
- refiner: Refiner
- settings: ExploreRequest, Settings, settings_for
- window: Explorer
"""
