"""Widgets shared by several screens: the sync status bar, the table for long lists."""
