"""Tests of the VoipNow integration."""
