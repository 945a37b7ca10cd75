//! Running CPU-heavy work (signing, rendering, hashing) off the caller's async
//! executor, through a runner the adapter supplies.

use super::ServiceError;
use std::future::Future;

/// Runs a blocking closure somewhere it may block, and awaits its result. The HTTP
/// adapter hands its blocking thread pool in; [`Inline`] runs in place.
pub trait Blocking: Sync {
    /// Run `f` and return what it returned; [`ServiceError::Internal`] if the worker
    /// died (panicked, was cancelled).
    fn run<T, F>(&self, f: F) -> impl Future<Output = Result<T, ServiceError>> + Send
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static;
}

/// Runs the closure on the calling thread (synchronous callers, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct Inline;

impl Blocking for Inline {
    fn run<T, F>(&self, f: F) -> impl Future<Output = Result<T, ServiceError>> + Send
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        std::future::ready(Ok(f()))
    }
}

/// Run `work` over `items` on at most one scoped thread per core (and no more threads
/// than there are chunks of `min_chunk` items), keeping the input order. Call it
/// inside [`Blocking::run`].
pub fn parallel_map<I, O, E>(
    items: &[I],
    min_chunk: usize,
    work: impl Fn(usize, &I) -> Result<O, E> + Sync,
) -> Result<Vec<O>, E>
where
    I: Sync,
    O: Send,
    E: Send + From<ServiceError>,
{
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len().div_ceil(min_chunk.max(1)))
        .max(1);
    let chunk = items.len().div_ceil(workers).max(1);
    let work = &work;
    let results: Vec<Result<Vec<O>, E>> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, item)| work(c * chunk + i, item))
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(ServiceError::Internal("signing thread panicked".into()).into())
                })
            })
            .collect()
    });
    let mut out = Vec::with_capacity(items.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}
