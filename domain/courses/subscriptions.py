"""Use cases of subscriptions: an admin grants a plan and ends it (payment is outside
Parla); a learner reads their own."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.courses.access import require_self
from domain.courses.rules import is_premium
from domain.errors import InvalidInput, NotFound
from ports.courses import Plan, Subscription
from ports.identity import Role
from ports.unit_of_work import CoursesUnitOfWork


@dataclass(frozen=True)
class GrantSubscription:
    plan: Plan
    end_date: datetime | None = None
    """None: until an admin ends it."""


@dataclass(frozen=True)
class SubscriptionStatus:
    plan: Plan
    """The plan in force now: premium while an active premium subscription runs, else free."""
    subscriptions: list[Subscription]


async def grant_subscription(
    user_id: UUID, cmd: GrantSubscription, uow: CoursesUnitOfWork
) -> Subscription:
    """Starts the plan now, ending whatever subscription was active: one at a time."""
    now = datetime.now(UTC)
    if cmd.end_date is not None and cmd.end_date <= now:
        raise InvalidInput("end_date must be in the future", {"field": "end_date"})
    async with uow:
        if await uow.users.get(user_id) is None:
            raise NotFound("User not found")
        for running in await uow.subscriptions.list_for_user(user_id):
            if running.is_active:
                await uow.subscriptions.update(_ended(running, now))
        subscription = Subscription(
            id=uuid4(),
            user_id=user_id,
            plan=cmd.plan,
            start_date=now,
            end_date=cmd.end_date,
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        await uow.subscriptions.add(subscription)
        await uow.commit()
    return subscription


async def end_subscriptions(user_id: UUID, uow: CoursesUnitOfWork) -> SubscriptionStatus:
    """Ends the user's active subscriptions now: the user is back on the free plan."""
    now = datetime.now(UTC)
    async with uow:
        if await uow.users.get(user_id) is None:
            raise NotFound("User not found")
        for running in await uow.subscriptions.list_for_user(user_id):
            if running.is_active:
                await uow.subscriptions.update(_ended(running, now))
        await uow.commit()
        return await _status(user_id, uow, now)


async def get_subscriptions(
    caller_id: UUID, caller_role: Role, user_id: UUID, uow: CoursesUnitOfWork
) -> SubscriptionStatus:
    """The user's plan and subscription history; the user's own, or any for an admin."""
    if caller_role is not Role.ADMIN:
        require_self(caller_id, user_id)
    async with uow:
        if await uow.users.get(user_id) is None:
            raise NotFound("User not found")
        return await _status(user_id, uow, datetime.now(UTC))


async def _status(user_id: UUID, uow: CoursesUnitOfWork, now: datetime) -> SubscriptionStatus:
    subscriptions = await uow.subscriptions.list_for_user(user_id)
    premium = any(is_premium(s, now) for s in subscriptions)
    return SubscriptionStatus(Plan.PREMIUM if premium else Plan.FREE, subscriptions)


def _ended(subscription: Subscription, now: datetime) -> Subscription:
    end = now if subscription.end_date is None else min(subscription.end_date, now)
    return Subscription(
        subscription.id,
        subscription.user_id,
        subscription.plan,
        subscription.start_date,
        end,
        False,
        subscription.created_at,
        now,
    )
