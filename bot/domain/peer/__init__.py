"""Peer mock interviews: members interview each other with the bank's rubric."""
