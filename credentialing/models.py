"""Models land with their issue."""
