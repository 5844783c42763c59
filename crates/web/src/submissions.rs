//! Group commit for questionnaire submissions: handlers queue checked responses; one
//! writer task takes whatever has queued (up to a batch), writes it in one transaction
//! and only then acknowledges each. Under load many responses share one durable commit;
//! alone, a response is written at once.

use store::{NewResponse, Store};
use tokio::sync::{mpsc, oneshot, OnceCell};

/// Most responses in one commit.
const BATCH: usize = 512;

type Job = (NewResponse, oneshot::Sender<Result<bool, String>>);

#[derive(Clone, Default)]
pub struct Submissions {
    tx: std::sync::Arc<OnceCell<mpsc::Sender<Job>>>,
}

impl Submissions {
    /// Writes a response durably; Ok(true) when new, Ok(false) when its submission id was
    /// already stored (a replay is not a second response).
    pub async fn submit(&self, store: &Store, r: NewResponse) -> Result<bool, String> {
        let tx = self
            .tx
            .get_or_try_init(|| async {
                let mut writer = store.response_writer().await.map_err(|e| e.to_string())?;
                let (tx, mut rx) = mpsc::channel::<Job>(BATCH * 8);
                let store = store.clone();
                tokio::spawn(async move {
                    let mut jobs: Vec<Job> = Vec::with_capacity(BATCH);
                    while rx.recv_many(&mut jobs, BATCH).await > 0 {
                        let (batch, replies): (Vec<NewResponse>, Vec<_>) = jobs.drain(..).unzip();
                        match writer.write(&batch).await {
                            Ok(new) => {
                                for (reply, n) in replies.into_iter().zip(new) {
                                    let _ = reply.send(Ok(n));
                                }
                            }
                            Err(e) => {
                                let msg = e.to_string();
                                for reply in replies {
                                    let _ = reply.send(Err(msg.clone()));
                                }
                                // The connection may be gone (database restarted): take a new
                                // one for the next batch; the refused ones were told to retry.
                                if let Ok(w) = store.response_writer().await {
                                    writer = w;
                                }
                            }
                        }
                    }
                });
                Ok::<_, String>(tx)
            })
            .await?;
        let (reply, answer) = oneshot::channel();
        tx.send((r, reply)).await.map_err(|_| "提交队列已关闭，请稍后重试".to_string())?;
        answer.await.map_err(|_| "提交未完成，请重试（不会重复计数）".to_string())?
    }
}
