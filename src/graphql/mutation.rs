use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::context::ContextExt;
use super::error::{GqlResult, OrGql};
use super::observations::{ImportSummaryObject, ObservationObject, SubmitObservationsInput};
use super::ApiSettings;
use crate::auth::{IssueRequest, Keys, Role};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::observations::Decision;
use crate::domain::push::{push, PushRequest};
use crate::domain::review::{review, Reviewer};
use crate::domain::DomainError;
use crate::metrics::Metrics;

pub struct Mutation;

#[derive(InputObject)]
pub struct IssueTokenInput {
    pub role: Role,
    /// Who the token is for; defaults to "<role>:<agency or area>".
    pub subject: Option<String>,
    pub agency_code: Option<String>,
    /// Root of the area subtree the token reaches (required for every role but ADMIN).
    pub area_code: Option<String>,
    /// Lifetime in seconds; default 30 days, at most 366 days.
    pub ttl_seconds: Option<i32>,
}

#[derive(SimpleObject)]
pub struct IssuedToken {
    pub token: String,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

const DEFAULT_TTL_SECONDS: i64 = 30 * 24 * 3600;

fn forbidden(message: &str) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    DomainError::Forbidden(message.to_owned()).extend()
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
        let principal = &ctx.request().principal;
        if !principal.role.may_push() {
            return Err(forbidden("your role may not push values"));
        }
        let scope = ctx.scope().await?.clone();
        let in_reach = move |code: &str| scope.allows(code);
        let mut pusher = principal.as_pusher(&in_reach);
        pusher.request_id = ctx.request().request_id.as_deref();
        let request = PushRequest {
            rows: input.observations,
            row_numbers: Vec::new(),
            rejected_before: Vec::new(),
            total_rows: 0,
            dry_run: input.dry_run.unwrap_or(false),
            atomic: input.atomic.unwrap_or(true),
            idempotency_key: input.idempotency_key,
        };
        let max_rows = ctx.data_unchecked::<ApiSettings>().max_push_rows;
        let summary = push(ctx.store().as_ref(), &pusher, request, max_rows).await.gql()?;
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
        if !ctx.request().principal.is_administrator() {
            return Err(forbidden("only the admin of every area issues tokens"));
        }
        let keys = ctx.data_unchecked::<std::sync::Arc<Keys>>();
        if keys.signing_key_id().is_none() {
            return Err(DomainError::NotSupported(
                "this server holds no signing key: it verifies tokens but cannot issue them; ask a server that signs"
                    .to_owned(),
            ))
            .gql();
        }
        let longest = input.role.max_token_lifetime().num_seconds();
        let ttl = input.ttl_seconds.map_or(DEFAULT_TTL_SECONDS, i64::from).min(longest);
        if input.ttl_seconds.is_some_and(|t| !(1..=longest).contains(&i64::from(t))) {
            return Err(DomainError::bad_input("ttlSeconds", format!("must be between 1 and {longest}"))).gql();
        }
        crate::domain::agencies::check_token_reach(
            ctx.store().as_ref(),
            input.agency_code.as_deref(),
            input.area_code.as_deref(),
        )
        .await
        .gql()?;
        let reach = input.area_code.clone().unwrap_or_else(|| "all areas".to_owned());
        let issued = keys
            .issue(IssueRequest {
                role: input.role,
                subject: input.subject,
                agency_code: input.agency_code,
                area_code: input.area_code,
                ttl: chrono::Duration::seconds(ttl),
            })
            .map_err(|message| DomainError::bad_input("input", message))
            .gql()?;
        let mut audit = AuditEntry::new(
            &ctx.request().principal.subject,
            AuditAction::IssueToken,
            format!("token {} ({}, {})", issued.jti, input.role.as_str(), reach),
            ctx.request().request_id.as_deref(),
        );
        audit.detail = Some(format!("expires {}", issued.expires_at.to_rfc3339()));
        ctx.store().record_audit(&audit).await.gql()?;
        tracing::info!(jti = %issued.jti, role = %input.role, "token issued");
        Ok(IssuedToken { token: issued.token, jti: issued.jti, expires_at: issued.expires_at })
    }

    /// Withdraws a token before it expires (admin only): every request with it fails with
    /// 401 from the moment this returns, on every replica. True when this call revoked it,
    /// false when it already was.
    async fn revoke_token(&self, ctx: &Context<'_>, jti: String) -> GqlResult<bool> {
        let principal = &ctx.request().principal;
        if !principal.is_administrator() {
            return Err(forbidden("only the admin of every area revokes tokens"));
        }
        let jti = jti.trim();
        if jti.is_empty() || jti.len() > 200 {
            return Err(DomainError::bad_input("jti", "a token id of 1 to 200 characters")).gql();
        }
        let audit = AuditEntry::new(
            &principal.subject,
            AuditAction::RevokeToken,
            format!("token {jti}"),
            ctx.request().request_id.as_deref(),
        );
        let revoked = ctx.store().revoke_token(jti, &audit).await.gql()?;
        tracing::info!(jti, by = %principal.subject, revoked, "token revoked");
        Ok(revoked)
    }
}

async fn decide(
    ctx: &Context<'_>,
    ids: Vec<ID>,
    decision: Decision,
    reason: Option<&str>,
) -> GqlResult<Vec<ObservationObject>> {
    let principal = &ctx.request().principal;
    if !principal.role.may_review() {
        return Err(forbidden("only the statistics office and admins review values"));
    }
    let scope = ctx.scope().await?.clone();
    let in_reach = move |code: &str| scope.allows(code);
    let reviewer =
        Reviewer { subject: &principal.subject, in_reach: &in_reach, request_id: ctx.request().request_id.as_deref() };
    let ids: Vec<String> = ids.into_iter().map(|id| id.0).collect();
    let reviewed = review(ctx.store().as_ref(), &reviewer, &ids, decision, reason).await.gql()?;
    Ok(reviewed.into_iter().map(|observation| ObservationObject { observation, published: false }).collect())
}
