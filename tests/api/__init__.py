"""Tests of the VoipNow UnifiedAPI client against the simulator over real HTTP."""
