import Publication
import SIPCore

extension PublishScan {
  /// The RFC 3903 operation of a request.
  public var operation: PublishOperation? {
    PublishOperation.classify(hasBody: hasBody, hasIfMatch: ifMatch != nil, expires: expires)
  }
}
