"""Allow `python -m viz`."""
from viz.cli import main

raise SystemExit(main())
