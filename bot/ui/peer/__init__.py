"""Peer mock interviews in Discord: invites, the private thread, the panel, feedback."""
