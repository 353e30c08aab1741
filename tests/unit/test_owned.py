"""One lookup of a row a retailer owns by the public id a caller sent."""

import pytest
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from slotbooking.common.errors import NotFound
from slotbooking.common.owned import find_owned, get_owned
from slotbooking.db_types import PUBLIC_ID_MAX_LENGTH, new_id


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), primary_key=True)
    retailer_id: Mapped[int]


class CountingSession(Session):
    gets = 0
    queries = 0

    def get(self, *args, **kwargs):
        self.gets += 1
        return super().get(*args, **kwargs)

    def execute(self, *args, **kwargs):
        self.queries += 1
        return super().execute(*args, **kwargs)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with CountingSession(engine) as session:
        session.add_all([Thing(id="thing_mine", retailer_id=1), Thing(id="thing_theirs", retailer_id=2)])
        session.commit()
        session.expunge_all()
        session.gets = session.queries = 0
        yield session
    engine.dispose()


def test_a_row_is_found_only_for_the_retailer_that_owns_it(session):
    assert find_owned(session, Thing, 1, "thing_mine").id == "thing_mine"
    assert find_owned(session, Thing, 1, "thing_theirs") is None, "another retailer's is as if missing"
    assert find_owned(session, Thing, 1, "thing_missing") is None


@pytest.mark.parametrize("junk", [None, 42, "", "x" * (PUBLIC_ID_MAX_LENGTH + 1), ["thing_mine"]])
def test_an_id_no_id_column_can_hold_is_refused_without_asking_the_database(session, junk):
    assert find_owned(session, Thing, 1, junk) is None
    assert session.gets == 0
    assert session.queries == 0


def test_a_row_the_session_has_already_is_taken_from_it_without_a_query(session):
    mine = find_owned(session, Thing, 1, "thing_mine")
    theirs = find_owned(session, Thing, 2, "thing_theirs")
    assert session.queries == 2
    assert find_owned(session, Thing, 1, "thing_mine") is mine
    assert find_owned(session, Thing, 1, "thing_theirs") is None, (
        "held by the session, still not theirs to see"
    )
    assert theirs.retailer_id == 2
    assert session.queries == 2


def test_a_row_the_session_has_but_expired_is_read_again(session):
    mine = find_owned(session, Thing, 1, "thing_mine")
    session.execute(Thing.__table__.update().values(retailer_id=3))
    session.expire_all()
    assert find_owned(session, Thing, 1, "thing_mine") is None
    assert find_owned(session, Thing, 3, "thing_mine") is mine
    session.rollback()


def test_every_id_we_make_fits_the_limit():
    assert all(len(new_id(prefix)) <= PUBLIC_ID_MAX_LENGTH for prefix in ("hold", "bkg", "slot", "bks"))


def test_a_missing_row_is_not_found_naming_what_was_asked_for(session):
    assert get_owned(session, Thing, 2, "thing_theirs", "thing").retailer_id == 2
    with pytest.raises(NotFound) as missing:
        get_owned(session, Thing, 1, "thing_theirs", "thing")
    assert missing.value.message == "no thing 'thing_theirs'"
    assert missing.value.details == {"id": "thing_theirs"}
    with pytest.raises(NotFound) as missing:
        get_owned(session, Thing, 1, "x" * 40, "hold", detail="hold_id")
    assert missing.value.details == {"hold_id": "x" * 40}
