"""hipcoach: hip pain in runners — how urgent, what it likely is, what to do, and why."""

__version__ = "0.1.0"
