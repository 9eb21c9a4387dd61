"""lintkit: static analysis for AWS CI/CD definitions and Python source."""

__version__ = "0.1.0"
