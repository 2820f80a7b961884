"""The smallest Django site `make bench` compares Advisor against: the ceiling of Django plus
gunicorn on the machine at hand, measured with the same gunicorn settings as the app."""
