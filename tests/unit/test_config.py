"""Settings from SLOTBOOKING_<NAME> environment variables, each read as its default's type."""

import os

import pytest

from slotbooking.config import DEFAULTS, load_config


@pytest.fixture
def env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("SLOTBOOKING_") or name in ("DATABASE_URL", "REDIS_URL", "BROKER_URL"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_without_environment_the_defaults_hold(env):
    config = load_config()
    assert {key: config[key] for key in DEFAULTS} == DEFAULTS


def test_each_setting_is_read_as_the_type_of_its_default(env):
    env.setenv("SLOTBOOKING_QUOTE_MINUTES", "15")
    env.setenv("SLOTBOOKING_AUTH_CACHE_SECONDS", "5")
    env.setenv("SLOTBOOKING_METRICS_TOKEN", "12345")
    env.setenv("SLOTBOOKING_RATELIMIT_DEFAULT", "10 per second")
    config = load_config()
    assert config["QUOTE_MINUTES"] == 15 and type(config["QUOTE_MINUTES"]) is int
    assert config["AUTH_CACHE_SECONDS"] == 5.0 and type(config["AUTH_CACHE_SECONDS"]) is float
    assert config["METRICS_TOKEN"] == "12345", "a string setting stays a string, digits or not"
    assert config["RATELIMIT_DEFAULT"] == "10 per second"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *[(word, True) for word in ("1", "true", "Yes", " on ")],
        *[(word, False) for word in ("0", "false", "no", "off", "")],
    ],
)
def test_switches_read_the_usual_words(env, raw, expected):
    env.setenv("SLOTBOOKING_RATELIMIT_ENABLED", raw)
    assert load_config()["RATELIMIT_ENABLED"] is expected


def test_a_bad_number_is_refused_at_start(env):
    env.setenv("SLOTBOOKING_QUOTE_MINUTES", "ten")
    with pytest.raises(ValueError):
        load_config()


def test_urls_also_come_from_their_usual_unprefixed_names_the_prefixed_one_winning(env):
    env.setenv("REDIS_URL", "redis://plain:6379/0")
    env.setenv("BROKER_URL", "amqp://guest@plain//")
    assert load_config()["REDIS_URL"] == "redis://plain:6379/0"
    assert load_config()["BROKER_URL"] == "amqp://guest@plain//"
    env.setenv("SLOTBOOKING_REDIS_URL", "redis://prefixed:6379/0")
    assert load_config()["REDIS_URL"] == "redis://prefixed:6379/0"


def test_only_url_settings_are_read_unprefixed_and_only_known_names_are_read(env):
    env.setenv("QUOTE_MINUTES", "99")
    env.setenv("SLOTBOOKING_NOT_A_SETTING", "x")
    config = load_config()
    assert config["QUOTE_MINUTES"] == DEFAULTS["QUOTE_MINUTES"]
    assert "NOT_A_SETTING" not in config


def test_a_mapping_wins_over_the_environment(env):
    env.setenv("SLOTBOOKING_QUOTE_MINUTES", "15")
    assert load_config({"QUOTE_MINUTES": 3})["QUOTE_MINUTES"] == 3


@pytest.mark.parametrize(
    ("url", "uri"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_the_database_url_names_the_driver_we_ship(env, url, uri):
    env.setenv("DATABASE_URL", url)
    assert load_config()["SQLALCHEMY_DATABASE_URI"] == uri
