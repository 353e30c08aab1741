"""Extensions, created unbound here and bound to the app in the factory."""

from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
rest_api = Api()


def _rate_limit_key() -> str:
    from slotbooking.auth import rate_limit_key

    return rate_limit_key()


limiter = Limiter(key_func=_rate_limit_key)
