"""Parts of the demo story that later apps add (see ``world.STORIES``)."""
