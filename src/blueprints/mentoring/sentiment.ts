// The sentiment of a user's chat message, computed on the server with the AFINN word list (`sentiment` package).
import Sentiment from 'sentiment'

const analyzer = new Sentiment()

/** `comparative` is the score per word, so a long calm message is not made negative by one sad word. */
export function sentimentOf(message: string): 'positive' | 'neutral' | 'negative' {
  const { comparative } = analyzer.analyze(message)
  return comparative > 0.05 ? 'positive' : comparative < -0.05 ? 'negative' : 'neutral'
}
