// dangjian campaign set-up: optional enhancement of the unit picker. Filters the unit list
// by name as one types and shows how many units are chosen; the server decides the same.
(function () {
  var box = document.getElementById('unit-picker');
  if (!box) return;
  var search = document.getElementById('unit-search');
  var rows = box.querySelectorAll('#unit-list tr[data-name]');
  var count = document.getElementById('unit-count');
  if (search) {
    search.addEventListener('input', function () {
      var q = search.value.trim();
      for (var i = 0; i < rows.length; i++) {
        rows[i].style.display = !q || rows[i].getAttribute('data-name').indexOf(q) >= 0 ? '' : 'none';
      }
    });
  }
  function update() {
    var ticked = function (n) { return box.querySelectorAll('input[name=' + n + ']:checked').length; };
    var parts = ticked('part'), sectors = ticked('sector'), units = ticked('unit');
    var words = [];
    if (parts) words.push('乡镇/街道 ' + parts + ' 个');
    if (sectors) words.push('领域 ' + sectors + ' 个');
    if (units) words.push('单位 ' + units + ' 个');
    count.textContent = words.length ? '已选：' + words.join('，') : '尚未选择调研单位';
  }
  box.addEventListener('change', update);
  update();
})();
