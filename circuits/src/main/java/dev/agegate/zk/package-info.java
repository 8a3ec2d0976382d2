/**
 * The Java binding of the age circuit: verify and make zero-knowledge age proofs, issue
 * credentials and build trust lists, through the circuits' native library (gnark, loaded with
 * JNA from this jar).
 *
 * <p>Entry points: {@link dev.agegate.zk.Verifier} (load a verifying key once, verify many
 * proofs from many threads), {@link dev.agegate.zk.PublicInputs} (the seven public inputs,
 * computed exactly as the Go side does), {@link dev.agegate.zk.Prover}, {@link
 * dev.agegate.zk.Issuers}, {@link dev.agegate.zk.Holders}, {@link dev.agegate.zk.TrustLists},
 * {@link dev.agegate.zk.DevKeys}. Errors are {@link dev.agegate.zk.ZkStatus} codes, raised as
 * {@link dev.agegate.zk.ZkException} where a result is expected.
 */
package dev.agegate.zk;
