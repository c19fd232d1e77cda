//! Certificate pinning: a device enrolled with the SHA-256 of its office server's TLS
//! certificate trusts that certificate and no other, whoever signed it. An office with a
//! self-signed certificate (no public CA reaches a field office's LAN) is then reachable
//! over TLS, and a network that hands the device another certificate, even one a public CA
//! signed, gets nothing.
//!
//! The pin is the SHA-256 of the leaf certificate in DER, as `openssl x509 -noout
//! -fingerprint -sha256 -in cert.pem` prints it and `njia-server serve` says when it starts.
//! The pinned certificate's dates and names are not checked: the pin is the trust, and an
//! office certificate that expires must not stop its phones. A new certificate means
//! enrolling again with its pin.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// The SHA-256 of a server certificate (DER).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CertPin([u8; 32]);

impl CertPin {
    /// The pin of a certificate.
    pub fn of(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }
}

/// Why a text is not a pin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a SHA-256 fingerprint: give the 64 hex digits (colons allowed) that `openssl x509 -noout -fingerprint -sha256` or njia-server serve prints")]
pub struct BadPin(pub String);

impl FromStr for CertPin {
    type Err = BadPin;

    /// 64 hex digits, in either case, with or without colons or spaces between them; a
    /// leading `sha256 Fingerprint=` (openssl's words) or `sha256:` is allowed.
    fn from_str(s: &str) -> Result<Self, BadPin> {
        let bad = || BadPin(s.chars().take(120).collect());
        let text = s.trim();
        let text = text
            .rsplit_once('=')
            .map_or(text, |(_, hex)| hex)
            .trim_start_matches("sha256:")
            .trim_start_matches("SHA256:");
        let digits: Vec<u8> = text.bytes().filter(|b| !matches!(b, b':' | b' ')).collect();
        if digits.len() != 64 {
            return Err(bad());
        }
        let mut pin = [0u8; 32];
        for (i, pair) in digits.chunks(2).enumerate() {
            let hex = std::str::from_utf8(pair).map_err(|_| bad())?;
            pin[i] = u8::from_str_radix(hex, 16).map_err(|_| bad())?;
        }
        Ok(Self(pin))
    }
}

impl fmt::Display for CertPin {
    /// Upper-case hex pairs with colons, as openssl prints a fingerprint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CertPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertPin({self})")
    }
}

/// A TLS client configuration that accepts only the pinned certificate (its handshake
/// signatures still verified, so only the holder of its key can answer).
pub fn tls_config(pin: CertPin) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Pinned {
        pin,
        algorithms: provider.signature_verification_algorithms,
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

#[derive(Debug)]
struct Pinned {
    pin: CertPin,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = CertPin::of(end_entity.as_ref());
        if seen == self.pin {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "the server's certificate (SHA-256 {seen}) is not the one this device was enrolled with ({}): someone may be in the way, or the office changed its certificate (then enrol again with the new --pin-sha256)",
                self.pin
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_reads_as_openssl_prints_it_and_back() {
        let pin = CertPin::of(b"certificate");
        let shown = pin.to_string();
        assert_eq!(shown.len(), 95, "{shown}");
        assert_eq!(shown.parse::<CertPin>(), Ok(pin));
        assert_eq!(
            format!("sha256 Fingerprint={shown}").parse::<CertPin>(),
            Ok(pin)
        );
        assert_eq!(
            shown.replace(':', "").to_lowercase().parse::<CertPin>(),
            Ok(pin)
        );
        for bad in ["", "AB:CD", &"g".repeat(64), &"a".repeat(66)] {
            assert!(bad.parse::<CertPin>().is_err(), "{bad}");
        }
    }
}
