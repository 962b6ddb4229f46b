"""Browser tests: a real Home Assistant in Chromium, driven by Playwright."""
