/// Reason phrases for the status codes an Event State Compositor and its clients meet.
public enum SIPStatus {
  public static func reasonPhrase(for code: Int) -> String {
    switch code {
    case 100: return "Trying"
    case 200: return "OK"
    case 202: return "Accepted"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 407: return "Proxy Authentication Required"
    case 408: return "Request Timeout"
    case 412: return "Conditional Request Failed"
    case 413: return "Request Entity Too Large"
    case 415: return "Unsupported Media Type"
    case 423: return "Interval Too Brief"
    case 480: return "Temporarily Unavailable"
    case 481: return "Call/Transaction Does Not Exist"
    case 482: return "Loop Detected"
    case 483: return "Too Many Hops"
    case 489: return "Bad Event"
    case 500: return "Server Internal Error"
    case 501: return "Not Implemented"
    case 503: return "Service Unavailable"
    case 504: return "Server Time-out"
    case 505: return "Version Not Supported"
    case 513: return "Message Too Large"
    case 600: return "Busy Everywhere"
    case 603: return "Decline"
    default:
      switch code / 100 {
      case 1: return "Provisional"
      case 2: return "Success"
      case 3: return "Redirection"
      case 4: return "Client Error"
      case 5: return "Server Error"
      default: return "Global Failure"
      }
    }
  }
}
