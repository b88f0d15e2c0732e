"""initial schema

Revision ID: 10b8f1d2c967
Revises:
Create Date: 2026-11-25 03:57:40.618164
"""

import sqlalchemy as sa
from alembic import op

revision = "10b8f1d2c967"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "countries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iso_code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_countries")),
        sa.UniqueConstraint("iso_code", name=op.f("uq_countries_iso_code")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.Enum("admin", "planner", "viewer", name="userrole", native_enum=False, length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "cities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("native_name", sa.String(length=100), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["country_id"], ["countries.id"], name=op.f("fk_cities_country_id_countries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cities")),
        sa.UniqueConstraint("country_id", "name", name=op.f("uq_cities_country_id_name")),
    )
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("home_city_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft", "planned", "confirmed", "completed", "cancelled", name="delegationstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_delegations_dates_in_order")),
        sa.ForeignKeyConstraint(["home_city_id"], ["cities.id"], name=op.f("fk_delegations_home_city_id_cities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("native_name", sa.String(length=200), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "company",
                "government_body",
                "cultural_institution",
                "trade_fair",
                "association",
                "education",
                "other",
                name="organizationkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sector", sa.String(length=200), nullable=True),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.Column("home_relation", sa.Text(), nullable=True),
        sa.Column("founded_year", sa.Integer(), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("contact_is_placeholder", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name=op.f("fk_organizations_city_id_cities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("home_city_id", sa.Integer(), nullable=False),
        sa.Column("partner_city_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("home_city_id <> partner_city_id", name=op.f("ck_partnerships_distinct_cities")),
        sa.ForeignKeyConstraint(["home_city_id"], ["cities.id"], name=op.f("fk_partnerships_home_city_id_cities")),
        sa.ForeignKeyConstraint(["partner_city_id"], ["cities.id"], name=op.f("fk_partnerships_partner_city_id_cities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
        sa.UniqueConstraint("home_city_id", "partner_city_id", name=op.f("uq_partnerships_home_city_id_partner_city_id")),
    )
    op.create_table(
        "journeys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "mode", sa.Enum("flight", "train", "car", "other", name="journeymode", native_enum=False, length=32), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum("tentative", "confirmed", "cancelled", name="itemstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("departure_city_id", sa.Integer(), nullable=True),
        sa.Column("departure_place", sa.String(length=200), nullable=False),
        sa.Column("depart_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("departure_timezone", sa.String(length=64), nullable=False),
        sa.Column("arrival_city_id", sa.Integer(), nullable=True),
        sa.Column("arrival_place", sa.String(length=200), nullable=False),
        sa.Column("arrive_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrival_timezone", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=True),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("booking_reference", sa.String(length=50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("arrive_at > depart_at", name=op.f("ck_journeys_times_in_order")),
        sa.ForeignKeyConstraint(["arrival_city_id"], ["cities.id"], name=op.f("fk_journeys_arrival_city_id_cities")),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_journeys_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["departure_city_id"], ["cities.id"], name=op.f("fk_journeys_departure_city_id_cities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journeys")),
        sa.UniqueConstraint("uid", name=op.f("uq_journeys_uid")),
    )
    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journeys_delegation_id"), ["delegation_id"], unique=False)

    op.create_table(
        "legs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("arrive_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("depart_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("tentative", "confirmed", "cancelled", name="itemstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("focus", sa.Text(), nullable=True),
        sa.Column("hotel_name", sa.String(length=200), nullable=True),
        sa.Column("hotel_address", sa.Text(), nullable=True),
        sa.Column("hotel_phone", sa.String(length=50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("depart_at > arrive_at", name=op.f("ck_legs_times_in_order")),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name=op.f("fk_legs_city_id_cities")),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_legs_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legs")),
    )
    with op.batch_alter_table("legs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legs_delegation_id"), ["delegation_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("native_name", sa.String(length=200), nullable=True),
        sa.Column("honorific", sa.String(length=50), nullable=True),
        sa.Column("function", sa.String(length=200), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("languages", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("contact_is_placeholder", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name=op.f("fk_people_organization_id_organizations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "company_visit",
                "government_meeting",
                "partner_city_event",
                "cultural_visit",
                "seminar",
                "reception",
                "meal",
                "press",
                "internal_briefing",
                "other",
                name="appointmentkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("tentative", "confirmed", "cancelled", name="itemstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("venue", sa.String(length=200), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("contact_person_id", sa.Integer(), nullable=True),
        sa.Column("objectives", sa.Text(), nullable=True),
        sa.Column("talking_points", sa.Text(), nullable=True),
        sa.Column("background", sa.Text(), nullable=True),
        sa.Column("dress_code", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_appointments_times_in_order")),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name=op.f("fk_appointments_city_id_cities")),
        sa.ForeignKeyConstraint(["contact_person_id"], ["people.id"], name=op.f("fk_appointments_contact_person_id_people")),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_appointments_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_appointments_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("uid", name=op.f("uq_appointments_uid")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_delegation_id"), ["delegation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_start_at"), ["start_at"], unique=False)

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("leader", "member", "staff", "press", "interpreter", name="memberrole", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("function", sa.String(length=200), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_members_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_members_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("delegation_id", "person_id", name=op.f("uq_members_delegation_id_person_id")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_members_delegation_id"), ["delegation_id"], unique=False)

    op.create_table(
        "appointment_attendees",
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_attendees_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_appointment_attendees_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("appointment_id", "member_id", name=op.f("pk_appointment_attendees")),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "in_progress", "done", "dropped", name="followupstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_follow_ups_appointment_id_appointments"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_follow_ups_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_follow_ups_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_follow_ups_owner_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_ups_delegation_id"), ["delegation_id"], unique=False)

    op.create_table(
        "journey_travellers",
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"], ["journeys.id"], name=op.f("fk_journey_travellers_journey_id_journeys"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_journey_travellers_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("journey_id", "member_id", name=op.f("pk_journey_travellers")),
    )


def downgrade() -> None:
    op.drop_table("journey_travellers")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_delegation_id"))

    op.drop_table("follow_ups")
    op.drop_table("appointment_attendees")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_delegation_id"))

    op.drop_table("members")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_start_at"))
        batch_op.drop_index(batch_op.f("ix_appointments_organization_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_delegation_id"))

    op.drop_table("appointments")
    op.drop_table("people")
    with op.batch_alter_table("legs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legs_delegation_id"))

    op.drop_table("legs")
    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journeys_delegation_id"))

    op.drop_table("journeys")
    op.drop_table("partnerships")
    op.drop_table("organizations")
    op.drop_table("delegations")
    op.drop_table("cities")
    op.drop_table("users")
    op.drop_table("countries")
