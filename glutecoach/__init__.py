"""GluteCoach: breaks up long sitting with short, evidence-based glute breaks."""

__version__ = "0.1.0"
