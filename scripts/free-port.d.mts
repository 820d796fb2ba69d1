export function freePort(): Promise<number>;
export function portTaken(output: string): boolean;
