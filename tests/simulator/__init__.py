"""Tests of the VoipNow simulator itself."""
