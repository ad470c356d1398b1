// The error of a bad declaration, named where it is: thrown at load, before anything runs.
export class DeclarationError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`)
    this.name = 'DeclarationError'
  }
}
