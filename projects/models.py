"""Projects (đề án): built in the projects issue."""
