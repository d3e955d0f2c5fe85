"""Discord UI: every embed, button and modal is built here, from models."""
