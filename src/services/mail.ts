// Outgoing mail through nodemailer to the SMTP server named by `SMTP_URL` (e.g. `smtp://user:pass@mail.example.com:587`).
// Without one, nothing can be sent: the engine says so once and the calls that mail still answer as usual.
import nodemailer, { type Transporter } from 'nodemailer'

export interface MailOptions {
  /** `smtp://` or `smtps://` URL of the server (`SMTP_URL`); none: mail is not sent. */
  smtpUrl?: string
  /** The sender (`MAIL_FROM`), default `quillbase <no-reply@localhost>`. */
  from?: string
}

export interface Message {
  to: string
  subject: string
  text: string
}

export class Mailer {
  private _transport?: Transporter
  private _warned = false

  constructor(private _options: MailOptions) {
    if (_options.smtpUrl && !/^smtps?:\/\//.test(_options.smtpUrl)) throw new Error(`smtpUrl (SMTP_URL) must be an smtp:// or smtps:// URL, not "${_options.smtpUrl}"`)
  }

  get configured() {
    return !!this._options.smtpUrl
  }

  /** Sends one message; false when no SMTP server is configured. Delivery errors reject. */
  async send(message: Message): Promise<boolean> {
    if (!this._options.smtpUrl) {
      if (!this._warned) console.warn('quillbase: SMTP_URL is not set: mail (password resets) is not sent')
      this._warned = true
      return false
    }
    this._transport ??= nodemailer.createTransport(this._options.smtpUrl)
    await this._transport.sendMail({ from: this._options.from ?? 'quillbase <no-reply@localhost>', ...message })
    return true
  }

  close() {
    this._transport?.close()
  }
}
