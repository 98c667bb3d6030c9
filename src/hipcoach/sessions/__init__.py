"""Exercise sessions: playing today's items in the terminal and what was done."""
