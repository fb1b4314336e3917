//! Live updates: values as they are pushed or reviewed, through this replica or another.

use std::collections::VecDeque;
use std::sync::Arc;

use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Subscription as GraphQLSubscription};
use tokio::sync::broadcast::error::RecvError;

use super::context::ContextExt;
use super::observations::{selection, ObservationFilter, ObservationObject};
use crate::domain::observations::{Observation, ObservationQuery};
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
    ) -> async_graphql::Result<impl Stream<Item = ObservationObject>> {
        let query = selection(ctx, filter.unwrap_or_default()).await?;
        let store = ctx.store().clone();
        // Subscribe before returning, so nothing committed after this answer is missed.
        let changes = store.changes();
        let feed = Feed { store, query, changes, pending: VecDeque::new() };
        Ok(stream::unfold(feed, |mut feed| async move {
            let next = feed.next().await?;
            let published = feed.query.published_only;
            Some((ObservationObject { observation: next, published }, feed))
        }))
    }
}

struct Feed {
    store: Arc<dyn Store>,
    query: ObservationQuery,
    changes: tokio::sync::broadcast::Receiver<Changed>,
    pending: VecDeque<Observation>,
}

impl Feed {
    /// The next changed value this subscriber selects; `None` when the feed has ended.
    async fn next(&mut self) -> Option<Observation> {
        loop {
            if let Some(o) = self.pending.pop_front() {
                return Some(o);
            }
            match self.changes.recv().await {
                Ok(ids) => match self.store.observations_by_ids(&ids, self.query.published_only).await {
                    Ok(rows) => self.pending.extend(rows.into_iter().filter(|o| self.query.selects(o))),
                    Err(e) => tracing::error!(error = %e, "cannot read changed values for a subscriber"),
                },
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "a subscriber fell behind and missed changes");
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}
