"""The WSGI entry point: `gunicorn wsgi:app`. Uses APP_ENV, which defaults to production."""

from app import create_app

app = create_app()
