// filled by the redis client work
namespace liaison::queue {}
