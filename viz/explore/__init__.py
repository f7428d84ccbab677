"""The explorer: its settings, background refiner, bookmarks and the window's controls.

Public face (what the other subpackages import from here):
- batches: Batches, InFlight (the refiner's batches out, never handed out twice)
- bookmarks: default_file, find_bookmark, from_png
- refiner: Refiner, coverage
- settings: ExploreRequest, Settings, settings_for
- window: Explorer
"""
