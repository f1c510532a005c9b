import AMCashConfiguration
import Crypto
public import Foundation
import SwiftASN1
import X509

/// The certificates of a training room served over HTTPS (`amcash sim --tls`). Terminals refuse
/// `http://` off loopback, so a classroom's simulator needs TLS: a private certificate authority made
/// once in the simulator's data directory, and a server certificate it signs for the names and
/// addresses the simulator serves. The terminals trust the CA's file (`caFile`) and nothing else
/// changes: verification stays on, HTTPS stays mandatory.
public struct TrainingRoomTLS: Sendable {
    /// The CA certificate terminals trust (`caFile` in their configuration).
    public let caFile: String
    /// The server's certificate chain and key, PEM.
    public let certificatePEM: String
    public let privateKeyPEM: String
    /// The DNS names and IP addresses the server certificate covers.
    public let names: [String]

    /// Loads the training room's CA from `directory` (making it the first time) and a server
    /// certificate covering `names`, issued again when the names change or it nears its end.
    public static func prepare(directory: String, names: [String], now: Date = Date()) throws -> TrainingRoomTLS {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let caPath = directory + "/ca.pem"
        let caKeyPath = directory + "/ca-key.pem"
        let serverPath = directory + "/server.pem"
        let serverKeyPath = directory + "/server-key.pem"
        let wanted = Array(Set(names.filter { !$0.isEmpty })).sorted()
        guard !wanted.isEmpty else { throw TrainingRoomTLSError("no name or address to put in the server certificate") }

        let caKey: P256.Signing.PrivateKey
        let ca: Certificate
        if fileManager.fileExists(atPath: caPath) && fileManager.fileExists(atPath: caKeyPath) {
            // Keys made by hand or by an older amcash may be readable by others: the owner's alone from now on.
            PrivateFile.tighten(path: caKeyPath)
            PrivateFile.tighten(path: serverKeyPath)
            do {
                caKey = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: caKeyPath, encoding: .utf8))
                ca = try Certificate(pemEncoded: try String(contentsOfFile: caPath, encoding: .utf8))
            } catch {
                throw TrainingRoomTLSError("the training room CA in \(directory) cannot be read (\(error)); move the folder away to make a new one")
            }
        } else {
            caKey = P256.Signing.PrivateKey()
            ca = try makeAuthority(key: caKey, now: now)
            try write(caKey.pemRepresentation, to: caKeyPath, mode: 0o600)
            try write(try ca.serializeAsPEM().pemString, to: caPath, mode: 0o644)
        }

        if let existing = try? String(contentsOfFile: serverPath, encoding: .utf8),
            let key = try? String(contentsOfFile: serverKeyPath, encoding: .utf8),
            let certificate = try? Certificate(pemEncoded: existing), certificate.issuer == ca.subject,
            certificate.notValidAfter > now.addingTimeInterval(30 * 86_400),
            Set(coveredNames(certificate)) == Set(wanted)
        {
            return TrainingRoomTLS(caFile: caPath, certificatePEM: existing, privateKeyPEM: key, names: wanted)
        }
        let serverKey = P256.Signing.PrivateKey()
        let server = try makeServerCertificate(names: wanted, key: serverKey, authority: ca, authorityKey: caKey, now: now)
        let pem = try server.serializeAsPEM().pemString
        try write(serverKey.pemRepresentation, to: serverKeyPath, mode: 0o600)
        try write(pem, to: serverPath, mode: 0o644)
        return TrainingRoomTLS(caFile: caPath, certificatePEM: pem, privateKeyPEM: serverKey.pemRepresentation, names: wanted)
    }

    /// The names a training room serves by default: loopback, this machine's name, and the address
    /// it listens on (every local IPv4 address when it listens on all of them).
    public static func defaultNames(listeningOn host: String) -> [String] {
        var names = ["localhost", "127.0.0.1", "::1"]
        var buffer = [CChar](repeating: 0, count: 256)
        if gethostname(&buffer, buffer.count) == 0 {
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !name.isEmpty { names.append(name) }
        }
        if host == "0.0.0.0" || host == "::" {
            names += localAddresses()
        } else {
            names.append(host)
        }
        return names
    }

    static func makeAuthority(key: P256.Signing.PrivateKey, now: Date) throws -> Certificate {
        let name = try DistinguishedName {
            OrganizationName("amcash training room")
            CommonName("amcash training room CA (CERT simulator only)")
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    static func makeServerCertificate(
        names: [String], key: P256.Signing.PrivateKey, authority: Certificate,
        authorityKey: P256.Signing.PrivateKey, now: Date
    ) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("amcash training room")
            CommonName(names.first { address(of: $0) == nil } ?? names[0])
        }
        let alternativeNames = SubjectAlternativeNames(
            names.map { name in
                address(of: name).map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) } ?? .dnsName(name)
            })
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            // 397 days: what browsers and TLS libraries accept for a server certificate.
            notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(397 * 86_400),
            issuer: authority.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                alternativeNames
            },
            issuerPrivateKey: .init(authorityKey))
    }

    /// The names and addresses a certificate covers, as `names` writes them.
    static func coveredNames(_ certificate: Certificate) -> [String] {
        guard let alternative = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return alternative.compactMap { name in
            switch name {
            case .dnsName(let text): return text
            case .ipAddress(let octets): return text(ofAddress: Array(octets.bytes))
            default: return nil
            }
        }
    }

    /// The bytes of an IPv4 or IPv6 address, or nil for a DNS name.
    static func address(of name: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func text(ofAddress bytes: [UInt8]) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : bytes.count == 16 ? AF_INET6 : -1
        guard family != -1, bytes.withUnsafeBytes({ inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }) != nil else {
            return nil
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This machine's IPv4 addresses, loopback aside.
    static func localAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [String] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
            }
            if bytes.first != 127, let text = text(ofAddress: bytes) { addresses.append(text) }
        }
        return addresses
    }

    /// Written whole, 0600 from the moment it exists (a key is never briefly readable by others); then given `mode`.
    private static func write(_ text: String, to path: String, mode: Int) throws {
        try PrivateFile.write(Data(text.utf8), to: path)
        if mode != Int(PrivateFile.mode) { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path) }
    }
}

/// The training room's certificates could not be made or read.
public struct TrainingRoomTLSError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
