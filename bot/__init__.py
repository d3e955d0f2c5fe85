"""followup: a Discord bot that plays the interviewer's follow-up questions."""
