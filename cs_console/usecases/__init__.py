"""What a screen or a command asks for, written once for both."""
