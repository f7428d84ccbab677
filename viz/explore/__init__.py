"""The explorer: its settings, background refiner, bookmarks and the window's controls.

Public face (what the other subpackages import from here):
- bookmarks: default_file, find_bookmark, from_png
- refiner: Refiner
- settings: ExploreRequest, Settings, settings_for
- window: Explorer
"""
