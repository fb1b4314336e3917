//! Writes: pushes, reviews, and the administrator's token issue and revocation, each a
//! call of its use-case.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::context::ContextExt;
use super::enums::RoleEnum;
use super::error::{GqlResult, OrGql};
use super::observations::{ImportSummaryObject, ObservationObject, SubmitObservationsInput};
use super::scalars::Date;
use super::ApiSettings;
use crate::auth::Keys;
use crate::domain::observations::Decision;
use crate::metrics::Metrics;
use crate::service::push::{push, PushRequest};
use crate::service::review::review;
use crate::service::tokens::{self, Lifetime, TokenRequest};
use crate::service::Actor;

pub struct Mutation;

#[derive(InputObject)]
pub struct IssueTokenInput {
    pub role: RoleEnum,
    /// Who the token is for; defaults to "<role>:<agency or area>".
    pub subject: Option<String>,
    pub agency_code: Option<String>,
    /// Code of the unit the token reaches (required for every role but ADMIN)…
    pub area_code: Option<String>,
    /// …as held on this day (default: today; the code of a unit that has ended names it).
    pub area_valid_on: Option<Date>,
    /// Lifetime in seconds; default 30 days, at most 366 days.
    pub ttl_seconds: Option<i32>,
}

#[derive(SimpleObject)]
pub struct IssuedToken {
    pub token: String,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

#[Object]
impl Mutation {
    /// Pushes sex-disaggregated values. The statistics office may push any indicator in
    /// its area; an agency reporter only indicators its agency is assigned to by a plan
    /// covering the area. Every rejected row is reported with its row, field and code.
    async fn submit_observations(
        &self,
        ctx: &Context<'_>,
        input: SubmitObservationsInput,
    ) -> GqlResult<ImportSummaryObject> {
        let request = PushRequest {
            rows: input.observations.into_iter().map(Into::into).collect(),
            row_numbers: Vec::new(),
            rejected_before: Vec::new(),
            total_rows: 0,
            dry_run: input.dry_run.unwrap_or(false),
            atomic: input.atomic.unwrap_or(true),
            idempotency_key: input.idempotency_key,
        };
        let max_rows = ctx.data_unchecked::<ApiSettings>().max_push_rows;
        let summary = push(ctx.store().as_ref(), Actor::Token(ctx.caller()), request, max_rows).await.gql()?;
        if let Ok(metrics) = ctx.data::<Arc<Metrics>>() {
            metrics.pushed(&summary);
        }
        Ok(ImportSummaryObject(summary))
    }

    /// Approves the current revision of each value (statistics office in its area, admin).
    /// Partners then see it.
    async fn approve_observations(&self, ctx: &Context<'_>, ids: Vec<ID>) -> GqlResult<Vec<ObservationObject>> {
        decide(ctx, ids, Decision::Approve, None).await
    }

    /// Rejects the current revision of each value; the reason is kept in its history.
    async fn reject_observations(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
        reason: String,
    ) -> GqlResult<Vec<ObservationObject>> {
        decide(ctx, ids, Decision::Reject, Some(&reason)).await
    }

    /// Issues a bearer token (admin only).
    async fn issue_token(&self, ctx: &Context<'_>, input: IssueTokenInput) -> GqlResult<IssuedToken> {
        let keys = ctx.data_unchecked::<Arc<Keys>>();
        let lifetime = match input.ttl_seconds {
            None => Lifetime::Default,
            Some(seconds) => Lifetime::Asked { ttl: chrono::Duration::seconds(seconds.into()), argument: "ttlSeconds" },
        };
        let request = TokenRequest {
            role: input.role.into(),
            subject: input.subject,
            agency_code: input.agency_code,
            area_code: input.area_code,
            area_on: input.area_valid_on.map(|d| d.0),
            lifetime,
        };
        let issued = tokens::issue(ctx.store().as_ref(), keys, Actor::Token(ctx.caller()), request).await.gql()?;
        Ok(IssuedToken { token: issued.token, jti: issued.jti, expires_at: issued.expires_at })
    }

    /// Withdraws a token before it expires (admin only): every request with it fails with
    /// 401 from the moment this returns, on every replica. True when this call revoked it,
    /// false when it already was.
    async fn revoke_token(&self, ctx: &Context<'_>, jti: String) -> GqlResult<bool> {
        tokens::revoke(ctx.store().as_ref(), Actor::Token(ctx.caller()), &jti).await.gql()
    }
}

async fn decide(
    ctx: &Context<'_>,
    ids: Vec<ID>,
    decision: Decision,
    reason: Option<&str>,
) -> GqlResult<Vec<ObservationObject>> {
    let ids: Vec<String> = ids.into_iter().map(|id| id.0).collect();
    let reviewed = review(
        ctx.store().as_ref(),
        ctx.caller(),
        &ctx.data_unchecked::<ApiSettings>().disclosure,
        &ids,
        decision,
        reason,
    )
    .await
    .gql()?;
    Ok(reviewed.into_iter().map(|observation| ObservationObject { observation, published: false }).collect())
}
