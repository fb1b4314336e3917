//! Live updates: values as they are pushed or reviewed, through this replica or another.

use std::collections::VecDeque;
use std::sync::Arc;

use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Subscription as GraphQLSubscription};
use tokio::sync::broadcast::error::RecvError;

use super::context::ContextExt;
use super::observations::{ObservationFilter, ObservationObject};
use super::pages::selection;
use crate::domain::observations::{Observation, ObservationOrder, ObservationQuery};
use crate::store::{Changed, Store};

pub struct Subscription;

#[GraphQLSubscription]
impl Subscription {
    /// Each value the filter selects, every time it is created, changed, approved or
    /// rejected from now on, as the caller may read it (partners: approved values only).
    /// The filter is checked like `observations`: an area outside the caller's is FORBIDDEN.
    async fn observation_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObservationFilter>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ObservationObject>>> {
        let query = selection(ctx, filter.unwrap_or_default(), ObservationOrder::Id).await?;
        let store = ctx.store().clone();
        let principal = ctx.principal();
        // Subscribe before returning, so nothing committed after this answer is missed.
        let changes = store.changes();
        let feed = Feed {
            store,
            query,
            changes,
            pending: VecDeque::new(),
            jti: principal.jti.clone(),
            expires_at: principal.expires_at,
            ended: false,
        };
        Ok(stream::unfold(feed, |mut feed| async move {
            let next = feed.next().await?;
            let published = feed.query.published_only;
            Some((next.map(|observation| ObservationObject { observation, published }), feed))
        }))
    }
}

struct Feed {
    store: Arc<dyn Store>,
    query: ObservationQuery,
    changes: tokio::sync::broadcast::Receiver<Changed>,
    pending: VecDeque<Observation>,
    /// The subscriber's token: once revoked or expired, the feed ends with an error.
    jti: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    ended: bool,
}

impl Feed {
    /// The next changed value this subscriber selects; an error, then `None`, once its
    /// token no longer holds; `None` when the feed has ended.
    async fn next(&mut self) -> Option<async_graphql::Result<Observation>> {
        if self.ended {
            return None;
        }
        loop {
            if let Some(o) = self.pending.pop_front() {
                return Some(Ok(o));
            }
            let until_expiry = (self.expires_at - chrono::Utc::now()).to_std().unwrap_or_default();
            let received = tokio::select! {
                received = self.changes.recv() => received,
                () = tokio::time::sleep(until_expiry) => return Some(Err(self.end("the token has expired"))),
            };
            match received {
                // Checked before each delivery, and at each revocation through any replica
                // (announced as a change of no values): a revoked token reads nothing more,
                // and its subscription ends as soon as the revocation is heard.
                Ok(ids) => match self.store.is_revoked(&self.jti).await {
                    Ok(true) => return Some(Err(self.end("the token has been revoked"))),
                    Ok(false) if ids.is_empty() => {}
                    Ok(false) => match self.store.observations_by_ids(&ids, self.query.published_only).await {
                        Ok(rows) => self.pending.extend(rows.into_iter().filter(|o| self.query.selects(o))),
                        Err(e) => tracing::error!(error = %e, "cannot read changed values for a subscriber"),
                    },
                    Err(e) => tracing::error!(error = %e, "cannot check a subscriber's token; its changes are skipped"),
                },
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "a subscriber fell behind and missed changes");
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    fn end(&mut self, why: &str) -> async_graphql::Error {
        self.ended = true;
        self.pending.clear();
        super::error::coded(why, crate::error::ErrorCode::Unauthenticated)
    }
}
