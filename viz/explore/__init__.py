"""The explorer: a display-free session (view, problem, precision, one action table), its settings,
background refiner and bookmarks, and the glfw window that adapts events to the session's actions.

Public face (what the other subpackages import from here):
- actions: ACTIONS, help_lines
- background: open_refiner
- batches: Batches, InFlight (the refiner's batches out, never handed out twice)
- bookmarks: SavedView, default_file, find_bookmark, from_png, is_explorer_view
- refiner: Refiner
- session: Session
- settings: ExploreRequest, Settings, settings_for
- window: Explorer
"""
