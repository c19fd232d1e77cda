declare module 'virtual:gazetteer' {
  const places: [string, number, number, string, string][];
  export default places;
}
