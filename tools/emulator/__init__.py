"""The project's local AWS emulator launcher (ministack + patches) and its test-side control helper."""
