"""Extensions, created unbound here and bound to the app in the factory."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
# Checked only where a blueprint calls csrf.protect() (WTF_CSRF_CHECK_DEFAULT is off): never the API.
csrf = CSRFProtect()
# The REST API (flask-smorest) is made per app in slotbooking/api/rest.py.
# The rate limiter is made per app in slotbooking/ratelimits.py: a Limiter shared by several
# apps keeps the first app's default limits and header settings for all of them.
