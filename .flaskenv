# Read by the `flask` command (python-dotenv). APP_ENV is deliberately not set here: it
# defaults to production, which refuses to start without real settings. On a laptop,
# `make run` sets APP_ENV=development, or export it yourself.
FLASK_APP=wsgi:app
