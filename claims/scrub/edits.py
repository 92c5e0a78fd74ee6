"""The scrubber's edits (registered on import). Sources next to each rule."""
